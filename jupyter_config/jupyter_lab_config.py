"""JupyterLab settings of the course, used by `make lab` (JUPYTER_CONFIG_DIR points here).

- The landing page is the course index, notebooks/README.md, and Markdown opens RENDERED
  (lab/settings/overrides.json sets "Markdown Preview" as the default viewer), so the chapter
  links are clickable; right-click > Open With > Editor still edits the source.
- Everything JupyterLab writes (user settings, workspaces) stays in this folder (git-ignored),
  never in the user's home directory.
tests/browser/test_landing.py starts JupyterLab with this folder and checks what renders.
"""

from pathlib import Path

here = Path(__file__).resolve().parent
c = get_config()  # type: ignore[name-defined]  # noqa: F821 - provided by traitlets

c.ServerApp.root_dir = str(here.parent)
c.LabApp.default_url = "/lab/tree/notebooks/README.md"
c.LabApp.app_settings_dir = str(here / "lab" / "settings")
c.LabApp.user_settings_dir = str(here / "lab" / "user-settings")
c.LabApp.workspaces_dir = str(here / "lab" / "workspaces")
