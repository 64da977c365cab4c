"""End to end over OpenSSH: a real sshd on 127.0.0.1 (throw-away host key and config), one
service account owning the database, keys with forced commands written by `users add --key`.
alice (annotator) works in the TUI and exports her own work, and nothing else; the lead assigns,
exports everything and sees everyone in `docs`. Skipped, with the reason, when sshd, ssh or a
service account cannot be had (.ci/run installs openssh-server)."""

from __future__ import annotations

import json
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pty_support import Terminal

ROOT = Path(__file__).resolve().parent.parent
SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
SERVICE = "annotator-svc"  # created once by this test when it runs as root (CI does)

pytestmark = pytest.mark.slow


def _missing() -> str | None:
    if not Path(SSHD).exists():
        return "sshd is not installed (apt-get install openssh-server; .ci/run does)"
    if not (shutil.which("ssh") and shutil.which("ssh-keygen")):
        return "the OpenSSH client (ssh, ssh-keygen) is not installed"
    if os.geteuid() != 0:
        return "needs root to create the service account and start sshd on a free port"
    try:
        pwd.getpwnam(SERVICE)
    except KeyError:
        made = subprocess.run(["useradd", "--system", "--shell", "/bin/sh", "--home-dir",
                               "/nonexistent", "--no-create-home", SERVICE],
                              capture_output=True, text=True)
        if made.returncode != 0:
            return f"cannot create the service account {SERVICE}: {made.stderr.strip()}"
    # useradd locks the password ("!"), and sshd without PAM refuses a locked account's keys
    # too; "*" is no password at all, but not locked
    subprocess.run(["usermod", "-p", "*", SERVICE], check=True, capture_output=True)
    return None


def _service_python() -> list[str] | None:
    """How the service account runs this annotator: this interpreter when it can reach it, else
    the system's python3 of the same version with this environment's packages on its path (a
    Python installed under /root, as pyenv does, is out of the service account's reach)."""
    import sysconfig

    paths = dict.fromkeys([str(ROOT), sysconfig.get_paths()["purelib"],
                           sysconfig.get_paths()["platlib"]])
    env = ["env", f"PYTHONPATH={':'.join(paths)}", "TERM=xterm"]
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for python in (sys.executable, f"/usr/bin/{version}", f"/usr/local/bin/{version}"):
        probe = shlex.join([*env, python, "-m", "annotator", "--version"])
        if subprocess.run(["su", "-s", "/bin/sh", SERVICE, "-c", probe],
                          capture_output=True).returncode == 0:
            return [*env, python, "-m", "annotator"]
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The throw-away server: its folder (owned by the service account), port and keys."""

    def __init__(self, base: Path, port: int) -> None:
        self.base, self.port = base, port
        self.db = base / "project.db"

    def ssh_args(self, who: str, tty: bool = False) -> list[str]:
        return ["ssh", "-F", "/dev/null", "-i", str(self.base / "keys" / who), "-p",
                str(self.port), "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o",
                "BatchMode=yes", "-o", "LogLevel=ERROR", *(["-tt"] if tty else []),
                f"{SERVICE}@127.0.0.1"]

    def ssh(self, who: str, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.ssh_args(who), command], capture_output=True, text=True,
                              timeout=60)


def _local(base: Path, python: list[str], *args: str) -> None:
    env = {**os.environ, "USER": "lead", "PYTHONPATH": str(ROOT),
           "ANNOTATOR_AUTHORIZED_KEYS": str(base / "home" / ".ssh" / "authorized_keys"),
           "ANNOTATOR_SSH_COMMAND": shlex.join(python)}
    r = subprocess.run([sys.executable, "-m", "annotator", "--db", str(base / "project.db"),
                        *args], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    if why := _missing():
        pytest.skip(why)
    python = _service_python()
    if python is None:
        pytest.skip(f"the service account {SERVICE} can run neither {sys.executable} nor a"
                    f" system python{sys.version_info.major}.{sys.version_info.minor}")
    base = Path(tempfile.mkdtemp(prefix="annotator-sshd-"))
    os.chmod(base, 0o755)
    (base / "keys").mkdir()
    (base / "home" / ".ssh").mkdir(parents=True)
    for who in ("alice", "lead", "host"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f",
                        str(base / "keys" / who)], check=True)
    data = base / "data"
    data.mkdir()
    (data / "alpha.txt").write_text("Alpha report\nAcme Corp hired Jane Doe in Paris.\n")
    (data / "beta.txt").write_text("Beta report\nThe river rose 3 metres overnight.\n")
    bob = {"id": "beta", "text": "Beta report\nThe river rose 3 metres overnight.\n",
           "annotator": "bob", "spans": [{"start": 26, "end": 34, "label": "NUMBER"}]}
    (data / "bob.jsonl").write_text(json.dumps(bob) + "\n")
    _local(base, python, "import", str(data / "alpha.txt"), str(data / "beta.txt"))
    _local(base, python, "import", str(data / "bob.jsonl"))
    _local(base, python, "users", "add", "alice", "--key", str(base / "keys" / "alice.pub"))
    _local(base, python, "users", "add", "bob")
    _local(base, python, "users", "add", "lead", "--role", "lead", "--key",
           str(base / "keys" / "lead.pub"))
    svc = pwd.getpwnam(SERVICE)
    for path in [base / "home", base / "home" / ".ssh", *(base / "home").rglob("*")]:
        os.chown(path, svc.pw_uid, svc.pw_gid)
    for path in base.glob("project.db*"):
        os.chown(path, svc.pw_uid, svc.pw_gid)
        os.chmod(path, 0o600)
    os.chown(base, svc.pw_uid, svc.pw_gid)  # the database's folder: WAL files are made there
    port = _free_port()
    config = base / "sshd_config"
    config.write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {base / "keys" / "host"}
PidFile {base / "sshd.pid"}
AuthorizedKeysFile {base / "home" / ".ssh" / "authorized_keys"}
AllowUsers {SERVICE}
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitUserEnvironment no
AcceptEnv none
""")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
    log = open(base / "sshd.log", "w")  # noqa: SIM115  (closed below, after sshd ends)
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"sshd did not start: {(base / 'sshd.log').read_text()}")
                time.sleep(0.1)
        yield Server(base, port)
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
        shutil.rmtree(base, ignore_errors=True)


def _lines(out: str) -> list[dict]:
    return [json.loads(x) for x in out.splitlines() if x.strip()]


def test_alice_exports_only_her_own_work(server: Server) -> None:
    r = server.ssh("alice", "export --format jsonl")
    assert r.returncode == 0, r.stderr
    assert _lines(r.stdout) == []  # she has done nothing yet: nobody else's work
    assert "no work in this project yet" in r.stderr
    r = server.ssh("alice", "export --format jsonl --as bob")
    assert r.returncode == 1
    assert "--as is fixed by your SSH key" in r.stderr
    assert r.stdout == ""


def test_alice_cannot_import_read_the_database_or_get_a_shell(server: Server) -> None:
    r = server.ssh("alice", f"import {server.base / 'data' / 'bob.jsonl'}")
    assert r.returncode == 1
    assert "`import` is for leads" in r.stderr
    for command in (f"cat {server.db}", "sh", f"export -f jsonl -o {server.base}/x.jsonl",
                    f"docs --db {server.db}"):
        r = server.ssh("alice", command)
        assert r.returncode == 1, command
        assert "SQLite format" not in r.stdout
    assert not (server.base / "x.jsonl").exists()


def test_alice_annotates_in_the_tui_over_ssh(server: Server) -> None:
    term = Terminal(server.ssh_args("alice", tty=True), {**os.environ, "TERM": "xterm-256color"})
    try:
        term.wait_for("Alpha report", timeout=60)
        term.type("q")
        end = time.monotonic() + 30
        while term.proc.poll() is None and time.monotonic() < end:
            term.read(0.2)
        assert term.proc.returncode == 0
    finally:
        if term.proc.poll() is None:
            term.kill()


def test_lead_assigns_exports_everything_and_sees_both_in_docs(server: Server) -> None:
    r = server.ssh("lead", "assign --all --to alice,bob --overlap 2")
    assert r.returncode == 0, r.stderr
    r = server.ssh("lead", "export -f jsonl")
    assert r.returncode == 0, r.stderr
    assert [(x["id"], x["annotator"]) for x in _lines(r.stdout)] == [("beta", "bob")]
    r = server.ssh("lead", "docs --format json")
    assert r.returncode == 0, r.stderr
    docs = {d["id"]: d["annotators"] for d in json.loads(r.stdout)}
    assert sorted(docs["alpha"]) == sorted(docs["beta"]) == ["alice", "bob"]
    assert docs["beta"]["bob"] == {"status": "in_progress", "spans": 1, "assigned": True}
    r = server.ssh("alice", "docs --format json")
    assert r.returncode == 0, r.stderr
    assert all(list(d["annotators"]) == ["alice"] for d in json.loads(r.stdout))
