"""Plumbing shared by the course notebooks: backend set-up, data, results, plots, the console request, the offline AWS.

Importing this package starts nothing; a notebook's setup cell calls `helpers.connect()`.
"""
import sagemaker_offline as offline
from helpers.connection.backend import COURSE_TAGS, Course, CourseSetupError, connect

__all__ = ["COURSE_TAGS", "Course", "CourseSetupError", "connect", "offline"]
