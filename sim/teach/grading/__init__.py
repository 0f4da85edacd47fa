"""The submission grader behind ``retention-lab teach grade``, in parts (the public names: :mod:`sim.teach.grade`).

- :mod:`~sim.teach.grading.encoding` — answers as plain JSON data (no pickle), and back;
- :mod:`~sim.teach.grading.notebook` — the course's exercises notebooks: answer cells, checks;
- :mod:`~sim.teach.grading.kernel` — what runs inside the grading kernel: record the answers;
- :mod:`~sim.teach.grading.verdict` — the trusted comparison in the grader process;
- :mod:`~sim.teach.grading.rows` — a gradebook row and its one-line reason;
- :mod:`~sim.teach.grading.runner` — one submitted notebook in a fresh kernel, within its limits;
- :mod:`~sim.teach.grading.watchdog` — that run in a child process, killed if it overruns;
- :mod:`~sim.teach.grading.submissions` — a folder of trainees' submissions;
- :mod:`~sim.teach.grading.gradebook` — the CSV and HTML gradebook, written atomically.

This package imports none of its parts, so the grading kernel's harness cell, which re-imports
:mod:`sim.teach.grading.kernel` from the package source, loads no more than it needs.
"""
