"""Plumbing shared by the course notebooks: backend set-up, data, results, plots, the console request, the offline AWS.

Importing this package starts nothing; a notebook's setup cell calls `helpers.connect()`.
"""
from helpers import offline
from helpers.backend import COURSE_TAGS, Course, CourseSetupError, connect

__all__ = ["COURSE_TAGS", "Course", "CourseSetupError", "connect", "offline"]
