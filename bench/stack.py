"""A national deployment on one machine: PostgreSQL, portal hosts (gunicorn masters on their own
ports) and Debian's nginx with the repository's own site file (deploy/nginx/madoguchi.conf), TLS
with a self-signed certificate. Used by tests/deploy/ and bench/bench_deploy.py.

Everything runs as a child of the caller in temporary folders on free ports of 127.0.0.1 and is
stopped by `Stack.close` (also when a step failed half-way).
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE_CONF = ROOT / "deploy" / "nginx" / "madoguchi.conf"
SECRET = "multi-host test secret: the same on every host"
STAFF_PASSWORD = "deploy test password 1234"


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root: run the server as the postgres user.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def postgres_bindir() -> Path | None:
    """Where Debian's PostgreSQL binaries are (the newest version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class Postgres:
    """A throwaway PostgreSQL server (trust auth, no fsync) that can be restarted mid-test."""

    def __init__(self, base: Path, durable: bool = False) -> None:
        bindir = postgres_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")
        self.bindir, self.base, self.port = bindir, base, free_port()
        self.data = base / "data"
        if os.geteuid() == 0:
            shutil.chown(base, "postgres", "postgres")
        subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                     "-E", "UTF8", "--locale=C", "--no-sync"]), check=True, capture_output=True)
        # The benchmark measures durable commits (fsync on); the tests need no durability of the disk.
        sync = "" if durable else " -F -c fsync=off -c full_page_writes=off"
        self.opts = f"-h 127.0.0.1 -p {self.port} -k {base} -c max_connections=200{sync}"
        self._ctl("start")

    @property
    def url(self) -> str:
        """The admin URL of the server (no database name)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def _ctl(self, action: str, *extra: str) -> None:
        subprocess.run(_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", self.opts,
                                     "-l", str(self.base / "log"), "-w", *extra, action]),
                       check=True, capture_output=True)

    def restart(self) -> None:
        """Stop the server (ending every connection) and start it again."""
        self._ctl("restart", "-m", "fast")

    def create_database(self, name: str) -> str:
        """A new migrated database; its URL."""
        from sqlalchemy import create_engine, text

        from portal.web import db

        admin = create_engine(f"{self.url}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        db.migrate(f"{self.url}/{name}")
        return f"{self.url}/{name}"

    def stop(self) -> None:
        """Stop the server at once."""
        subprocess.run(_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                                     "stop"]), capture_output=True)


class Host:
    """One application host: a gunicorn master and its workers, as madoguchi.service starts it."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, workers: int = 2, cpu=None) -> None:
        self.name, self.env, self.workers = name, env, workers
        self.cpu = cpu   # a cpuquota.CpuQuota: the host's own CPU budget (bench_deploy), or the whole machine
        self.port = free_port()
        self.log = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        """Start gunicorn and wait until it answers."""
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start gunicorn from the project folder (gunicorn.conf.py applies)."""
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(
                [gunicorn, "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                 "portal.web:create_app()"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=self.cpu.enter if self.cpu else None)

    def wait_ready(self) -> None:
        """Wait until /healthz answers 200 (loading 544 offices takes a while on a busy machine)."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start")

    def kill(self) -> None:
        """kill -9 of the master and every worker (the whole process group), as a crash would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """Stop gunicorn gracefully (SIGTERM to the group), or kill it."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1 (P-256: cheap handshakes); (cert, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def _swap(text: str, old: str, new: str) -> str:
    if old not in text:
        raise AssertionError(f"{SITE_CONF.name}: {old!r} is gone; update bench/stack.py")
    return text.replace(old, new)


def site_conf(upstreams: list[int], https: int, http: int, site: Path, cert: Path, key: Path, log: Path) -> str:
    """deploy/nginx/madoguchi.conf with this machine's ports and folders put in for the examples."""
    text = SITE_CONF.read_text(encoding="utf-8")
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in upstreams)
    text = _swap(text, "    server 192.0.2.11:8000 max_fails=1 fail_timeout=5s;\n"
                       "    server 192.0.2.12:8000 max_fails=1 fail_timeout=5s;\n", servers)
    text = _swap(text, "    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{http};\n")
    text = _swap(text, "    listen 443 ssl;\n    listen [::]:443 ssl;\n", f"    listen 127.0.0.1:{https} ssl;\n")
    text = _swap(text, "/etc/ssl/madoguchi/fullchain.pem", str(cert))
    text = _swap(text, "/etc/ssl/madoguchi/privkey.pem", str(key))
    text = _swap(text, "/var/log/nginx/madoguchi.log", str(log))
    text = _swap(text, "/srv/madoguchi/deploy/nginx/errors/", f"{ROOT}/deploy/nginx/errors/")
    return _swap(text, "root /var/www/madoguchi;", f"root {site};")


class Nginx:
    """Debian's nginx in the foreground with its own prefix: a main file that includes the site file."""

    def __init__(self, base: Path, upstreams: list[int], site: Path) -> None:
        self.base = base
        self.https, self.http = free_port(), free_port()
        self.cert, key = self_signed(base)
        self.access_log = base / "access.log"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (base / "temp" / sub).mkdir(parents=True)
            if os.geteuid() == 0:
                shutil.chown(base / "temp" / sub, "nobody", "nogroup")
        (base / "site.conf").write_text(site_conf(upstreams, self.https, self.http, site, self.cert, key,
                                                  self.access_log), encoding="utf-8")
        temp = base / "temp"
        (base / "nginx.conf").write_text(
            ("user nobody nogroup;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 1;\npid {base}/nginx.pid;\nerror_log {base}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            f"    client_body_temp_path {temp}/body;\n    proxy_temp_path {temp}/proxy;\n"
            f"    fastcgi_temp_path {temp}/fastcgi;\n    uwsgi_temp_path {temp}/uwsgi;\n"
            f"    scgi_temp_path {temp}/scgi;\n    access_log off;\n    include {base}/site.conf;\n}}\n",
            encoding="utf-8")
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        """The nginx command line (in the foreground, this prefix and main file)."""
        return ["nginx", "-p", str(self.base), "-c", str(self.base / "nginx.conf"), "-g", "daemon off;"]

    def start(self) -> None:
        """Check the configuration (nginx -t), start, wait for the TLS port."""
        subprocess.run([*self.command()[:-2], "-t", "-q"], check=True, capture_output=True)
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL,
                                     stderr=open(self.base / "stderr.log", "w"), start_new_session=True)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.https), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start: " + (self.base / "error.log").read_text()[-2000:])

    def tls(self) -> ssl.SSLContext:
        """A client context trusting exactly the self-signed certificate."""
        return ssl.create_default_context(cafile=str(self.cert))

    def stop(self) -> None:
        """Stop nginx (SIGQUIT: graceful), or kill it."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGQUIT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def host_env(database_url: str, content: Path, site: Path, instance: Path, **extra: str) -> dict[str, str]:
    """The environment of a portal host behind one proxy on HTTPS (what /etc/madoguchi/portal.env holds)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DATABASE_URL=database_url, PORTAL_CONTENT_DIR=str(content), PORTAL_SITE_DIR=str(site),
               PORTAL_INSTANCE_DIR=str(instance), PORTAL_SECRET_KEY=SECRET, PORTAL_HTTPS="1",
               PORTAL_PROXY_HOPS="1", PORTAL_STAFF_ARGON2_MEMORY_KIB="1024", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


class Stack:
    """PostgreSQL + `hosts` portal hosts + nginx in front, on content of `offices` synthetic offices."""

    def __init__(self, hosts: int = 2, offices: int = 544, workers: int = 2, durable: bool = False,
                 **settings: str) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="madoguchi-stack-"))
        os.chmod(self.base, 0o755)   # nginx's workers (nobody) read the site below it
        self.postgres: Postgres | None = None
        self.hosts: list[Host] = []
        self.nginx: Nginx | None = None
        try:
            self._start(hosts, offices, workers, durable, settings)
        except BaseException:
            self.close()
            raise

    def _start(self, hosts: int, offices: int, workers: int, durable: bool, settings: dict[str, str]) -> None:
        sys.path.insert(0, str(ROOT / "bench"))
        from synth import generate

        self.content = generate(self.base / "content", offices)
        self.site = self.base / "site"
        subprocess.run([sys.executable, "build.py", "--content", str(self.content), "--out", str(self.site),
                        "--no-pdf", "--quiet", "--markdown-cache", str(self.base / "mdcache")],
                       cwd=ROOT, check=True, capture_output=True)
        for path in [self.site, *self.site.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        (self.base / "pg").mkdir()
        self.postgres = Postgres(self.base / "pg", durable)
        self.database_url = self.postgres.create_database("madoguchi")
        (self.base / "instance").mkdir()
        self.env = host_env(self.database_url, self.content, self.site, self.base / "instance", **settings)
        for n in range(hosts):
            self.hosts.append(Host(f"host{n + 1}", self.env, self.base, workers))
            self.hosts[-1].launch()
        for host in self.hosts:
            host.wait_ready()
        (self.base / "nginx").mkdir()
        self.nginx = Nginx(self.base / "nginx", [h.port for h in self.hosts], self.site)
        self.nginx.start()

    def flask(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        """A `flask --app portal.web …` command with the hosts' settings."""
        return subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "portal.web", *args],
                              cwd=ROOT, env=self.env, input=stdin, capture_output=True, text=True)

    def add_staff(self, username: str, office: str, role: str = "counsellor") -> None:
        """A staff account made with the real `staff add` command."""
        done = self.flask("staff", "add", username, "--name", "職員", "--office", f"{office}:{role}",
                          "--password-stdin", stdin=STAFF_PASSWORD + "\n")
        if done.returncode != 0:
            raise RuntimeError(done.stdout + done.stderr)

    def close(self) -> None:
        """Stop everything that was started and remove the folder."""
        if self.nginx:
            self.nginx.stop()
        for host in self.hosts:
            host.stop()
        if self.postgres:
            self.postgres.stop()
        if os.environ.get("MADOGUCHI_KEEP_STACK"):   # to read the hosts' logs after a failure
            print(f"stack kept in {self.base}", file=sys.stderr)
            return
        shutil.rmtree(self.base, ignore_errors=True)
