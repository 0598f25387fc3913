"""AWS mode: the real account's session, role and region (`account`), the cost notice before instances start
(`guards`), advice under AWS errors (`errors`) and the course's clean-up by tag and prefix (`resources`).

The sibling of `sagemaker_offline/`; `helpers/connection/backend.py` chooses between the two. Importing it starts nothing.
"""
