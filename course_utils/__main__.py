"""`python -m course_utils` runs the `course-utils` CLI."""
import sys

from course_utils.cli import main

sys.exit(main())
