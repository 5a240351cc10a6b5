"""Output files are hostile ground: devices, pipes, folders, symlinks, hard links, umasks."""

import os
import stat

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.errors import InputError
from geo.safe import check_output, write_output
from geo.samples import DEFAULT_SAMPLE


@pytest.fixture
def runner():
    return CliRunner()


def test_force_never_replaces_a_named_pipe_or_a_folder(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is a named pipe, not a regular file"):
        write_output(fifo, "x", force=True)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    folder = tmp_path / "adir"
    folder.mkdir()
    with pytest.raises(InputError, match=r"adir: is a folder") as caught:
        write_output(folder, "x", force=True)
    assert ".tmp" not in str(caught.value)
    assert "Is a directory" not in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] != []
    assert not list(folder.iterdir())


def test_a_device_is_refused_even_with_force():
    # Only checked, never written: the check refuses before anything is touched.
    with pytest.raises(InputError, match="character device"):
        check_output("/dev/null", force=True)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_outputs_honour_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        path = write_output(tmp_path / "out.txt", "hello")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


def test_force_keeps_the_mode_and_the_hard_links(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    os.chmod(path, 0o640)
    write_output(path, "new", force=True)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    linked = tmp_path / "other-name.txt"
    os.link(path, linked)
    write_output(path, "newer and longer", force=True)
    assert linked.read_text() == "newer and longer"
    assert os.stat(path).st_ino == os.stat(linked).st_ino


def test_symlinks_a_dangling_one_is_refused_a_live_one_written_through(tmp_path):
    dangling = tmp_path / "out.html"
    dangling.symlink_to(tmp_path / "gone.html")
    with pytest.raises(InputError, match=r"symlink to .*does not exist"):
        write_output(dangling, "x")
    assert dangling.is_symlink()
    real = tmp_path / "real.html"
    real.write_text("old")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    write_output(link, "new", force=True)
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_missing_parent_folders_are_created_for_every_output(runner, tmp_path):
    out = tmp_path / "nodir" / "deeper" / "m.html"
    result = runner.invoke(main, ["map", str(DEFAULT_SAMPLE), "-o", str(out), "--no-tiles"])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    blocked = tmp_path / "afile"
    blocked.write_text("")
    with pytest.raises(InputError, match="is a file, not a folder"):
        check_output(blocked / "m.html")


def test_outputs_are_checked_before_the_work_and_named_rightly(runner, tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("keep")
    args = ["export", str(tmp_path / "missing.txt"), "--format", "csv", "-o", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert f"{out}: exists" in result.output  # the file itself, not its manifest
    assert "manifest" not in result.output
    assert "missing.txt" not in result.output
    assert not (tmp_path / "out.csv.manifest.json").exists()
    assert out.read_text() == "keep"
    # A manifest in the way refuses the export whole: no CSV either.
    out.unlink()
    (tmp_path / "out.csv.manifest.json").write_text("{}")
    args[1] = str(DEFAULT_SAMPLE)
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "out.csv.manifest.json: exists" in result.output
    assert not out.exists()


def test_a_folder_as_output_is_one_clean_line(runner, tmp_path):
    folder = tmp_path / "adir"
    folder.mkdir()
    result = runner.invoke(main, ["map", str(DEFAULT_SAMPLE), "-o", str(folder), "--force"])
    assert result.exit_code == 2
    assert (
        result.output.strip() == f"flashpoints: error: {folder}: is a folder, not a regular"
        " file; give a file name"
    )
