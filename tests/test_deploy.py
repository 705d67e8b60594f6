"""What a lab runs (deploy/): the Kubernetes manifests against the Kubernetes schema (offline), the
nginx site through Debian's `nginx -t`, and the systemd units' commands through our own parser."""
from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from bench.server import free_port
from dashboard.cli import build_parser
from dashboard.sqlfiles import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
KUBERNETES_VERSION = kubernetes_validate.latest_version()


def manifests() -> list[dict]:
    found = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        found += [document for document in yaml.safe_load_all(path.read_text()) if document]
    return found


def of_kind(kind: str) -> list[dict]:
    return [document for document in manifests() if document["kind"] == kind]


@pytest.mark.parametrize("manifest", manifests(), ids=lambda document: f"{document['kind']}/{document['metadata']['name']}")
def test_every_manifest_is_valid_kubernetes(manifest):
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)  # raises on an unknown or wrong field


def test_the_validator_refuses_a_wrong_manifest():
    broken = of_kind("Deployment")[0]
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_lab_runs_several_processes_pinned_by_a_cookie_on_one_shared_snapshot_folder():
    deployment, = of_kind("Deployment")
    assert deployment["spec"]["replicas"] >= 2
    ingress, = of_kind("Ingress")
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    claims = {claim["metadata"]["name"]: claim for claim in of_kind("PersistentVolumeClaim")}
    pod = deployment["spec"]["template"]["spec"]
    snapshots = next(volume for volume in pod["volumes"] if volume["name"] == "snapshots")
    claim = claims[snapshots["persistentVolumeClaim"]["claimName"]]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    cron, = of_kind("CronJob")
    job_pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert {volume["persistentVolumeClaim"]["claimName"] for volume in job_pod["volumes"]} == {claim["metadata"]["name"]}
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    # The containers' commands are ones our command line accepts.
    for container in pod["containers"] + job_pod["containers"]:
        build_parser().parse_args(container["args"])


def test_the_systemd_units_run_commands_the_command_line_accepts():
    for unit in (DEPLOY / "systemd").glob("*.service"):
        parsed = configparser.ConfigParser(strict=False, interpolation=None)
        parsed.optionxform = str
        parsed.read_string(unit.read_text())
        argv = shlex.split(parsed["Service"]["ExecStart"].replace("%i", "8601"))
        assert argv[0].endswith("/asl-dashboard"), unit.name
        build_parser().parse_args(argv[1:])


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


@pytest.mark.skipif(NGINX is None and os.environ.get("CI") != "true", reason="nginx is not installed")
def test_the_nginx_site_passes_nginx_own_check(tmp_path):
    """The site file as a lab installs it, with its snippets where this repository keeps them and a
    plain port instead of the certificate it would name."""
    site = (DEPLOY / "nginx" / "asl-dashboard.conf").read_text()
    site = site.replace("/etc/nginx/snippets/", f"{DEPLOY / 'nginx'}/")
    site = re.sub(r"listen 443 ssl;", f"listen 127.0.0.1:{free_port()};", site)
    site = re.sub(r"\s*ssl_certificate(_key)? [^;]+;", "", site)
    site = re.sub(r"listen 80;", f"listen 127.0.0.1:{free_port()};", site)
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n    client_body_temp_path {tmp_path}/body;\n    proxy_temp_path {tmp_path}/proxy;\n"
        f"    include {tmp_path}/site.conf;\n}}\n")
    checked = subprocess.run([NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
