"""Text on its way to people: to a terminal or a spreadsheet, made safe."""
