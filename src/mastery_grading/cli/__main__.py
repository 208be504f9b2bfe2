"""``python -m mastery_grading.cli``: the ``mastery-grading`` command."""

from mastery_grading.cli import run

if __name__ == "__main__":
    run()
