"""The app's screens, one module each: home, new audit, help, resume, live call, follow-up…"""
