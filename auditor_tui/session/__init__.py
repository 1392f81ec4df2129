"""The audit sessions the screens drive: the live call, the follow-up, what to resume.
They apply the domain's rules to one audit and save it through the store.
"""
