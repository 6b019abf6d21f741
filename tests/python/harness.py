"""What the Python end-to-end tests share: the generated bindings loaded against the real
library, the real server started on a loopback port (SQLite file or a fresh PostgreSQL schema),
and small REST helpers for the steps a phone does not do (registering, the regulator's desk).

Paths come from the environment `scripts/test` sets (SUYUAN_SERVER_BIN, SUYUAN_FFI_LIB);
anything missing is an error, never a skip.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "兰州-2026-pass"
ADMIN_PASSWORD = "admin-secret-2026"
POSTGRES = os.environ.get("SUYUAN_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")


def required_env(name):
    value = os.environ.get(name)
    if not value or not os.path.exists(value):
        raise RuntimeError(f"{name} must point to an existing file (run through scripts/test); got {value!r}")
    return value


def load_bindings():
    """Imports the committed generated module beside a copy of the built library."""
    lib = required_env("SUYUAN_FFI_LIB")
    folder = tempfile.mkdtemp(prefix="suyuan-py-")
    shutil.copy(os.path.join(ROOT, "bindings", "generated", "python", "suyuan_ffi.py"), folder)
    shutil.copy(lib, os.path.join(folder, os.path.basename(lib)))
    sys.path.insert(0, folder)
    import suyuan_ffi  # noqa: E402  (the module exists only once copied)

    return suyuan_ffi


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(n):
    """A valid unified social credit code (GB 32100 check character) numbered `n`."""
    first = f"91620102MA{n:07d}"
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first, USCC_WEIGHTS))
    return first + USCC_CHARS[(31 - total % 31) % 31]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql):
    env = dict(os.environ, PGOPTIONS="--client-min-messages=warning")
    subprocess.run(["psql", POSTGRES, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True, env=env)


class Server:
    """The suyuan-server binary on a loopback port, with a platform admin."""

    def __init__(self, postgres):
        self.dir = tempfile.mkdtemp(prefix="suyuan-server-")
        self.schema = None
        args = [required_env("SUYUAN_SERVER_BIN"), "--data-dir", self.dir,
                "--admin-password", ADMIN_PASSWORD]
        if postgres:
            self.schema = "py_" + uuid.uuid4().hex
            psql(f"CREATE SCHEMA {self.schema}")
            sep = "&" if "?" in POSTGRES else "?"
            args += ["--database-url", f"{POSTGRES}{sep}options=-c%20search_path%3D{self.schema}"]
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.process = subprocess.Popen(args + ["--listen", f"127.0.0.1:{port}"],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).read()
                break
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.time() > deadline:
                    raise RuntimeError("the server did not start: " + open(self.log.name).read())
                time.sleep(0.1)

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()
        if self.schema:
            psql(f"DROP SCHEMA {self.schema} CASCADE")
        shutil.rmtree(self.dir, ignore_errors=True)

    def call(self, method, path, body=None, token=None, expect=200):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                status, text = res.status, res.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if status != expect:
            raise AssertionError(f"{method} {path}: {status} {text}")
        return json.loads(text) if text else None

    def register(self, n, name, kind):
        """Registers an enterprise; returns (enterprise id, login)."""
        code = uscc(n)
        answer = self.call("POST", "/api/v1/enterprises/register", {
            "enterprise": {
                "name": name, "uscc": code, "kind": kind, "region_code": "620102",
                "address": "甘肃省兰州市城关区庆阳路1号", "legal_representative": "张三",
                "licence": None, "contact": "张三", "phone": "0931-7617990",
            },
            "password": PASSWORD,
        }, expect=201)
        return answer["account"]["enterprise_id"], code

    def login(self, login, password):
        return self.call("POST", "/api/v1/auth/login", {"login": login, "password": password})["token"]

    def regulator(self, region_code):
        """A regulator of `region_code`, created by the platform admin; returns its token."""
        admin = self.login("admin", ADMIN_PASSWORD)
        login = "reg-" + region_code
        self.call("POST", "/api/v1/admin/regulators", {
            "login": login, "password": PASSWORD, "display_name": "甘肃省药品监督管理局",
            "region_code": region_code,
        }, token=admin, expect=201)
        return self.login(login, PASSWORD)


OFFLINE_URL = "http://127.0.0.1:9"
"""A server address nothing answers on: a phone opened with it is offline."""
