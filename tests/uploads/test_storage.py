"""Where uploads are kept when the API runs on many hosts: the database (the file and its row in one
transaction, read by every host) or an S3-compatible bucket (a real S3 server on loopback here)."""

from __future__ import annotations

import dataclasses
import os
import socket

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import func, select

from backend import create_app
from backend.config import Settings
from backend.extensions import db
from backend.uploads.models import Upload, UploadBlob
from backend.uploads.storage import DatabaseStorage, LocalStorage, S3Storage, storage_for
from tests.factories import auth
from tests.uploads.test_uploads import PDF, PNG, upload


@pytest.fixture
def database_storage(app):
    saved = app.extensions.get("zhigong.storage")
    app.extensions["zhigong.storage"] = DatabaseStorage()
    yield
    app.extensions["zhigong.storage"] = saved


@pytest.fixture
def second_host(app, settings, tmp_path):
    """Another API host: its own app, its own (empty) upload folder, the same database."""
    other = create_app(
        dataclasses.replace(settings, upload_storage="database", upload_dir=tmp_path / "host2")
    )
    other.config["TESTING"] = True
    yield other
    with other.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def blobs() -> int:
    return db.session.scalar(select(func.count()).select_from(UploadBlob))


def test_a_photo_uploaded_through_one_api_host_is_served_by_another(
    factory, client, database_storage, second_host
):
    token = factory.worker_token("crossing")
    response = upload(client, token, PNG, "现场.png")
    assert response.status_code == 201, response.json
    served = second_host.test_client().get(f"/api/v1/uploads/{response.json['id']}", headers=auth(token))
    assert served.status_code == 200 and served.data == PNG
    assert served.headers["Content-Type"] == "image/png"


def test_a_file_of_the_full_size_limit_is_kept_byte_for_byte_in_the_database(
    factory, client, settings, database_storage
):
    token = factory.worker_token("big")
    body = PDF + os.urandom(settings.max_upload_bytes - len(PDF))
    response = upload(client, token, body, "全部材料.pdf")
    assert response.status_code == 201, response.json
    assert client.get(f"/api/v1/uploads/{response.json['id']}", headers=auth(token)).data == body


def test_a_refused_file_leaves_no_row_and_no_bytes(factory, client, database_storage):
    response = upload(client, factory.worker_token("refused"), b"MZ\x90\x00" + b"\x00" * 64, "a.jpg")
    assert response.status_code == 422
    assert blobs() == 0 and db.session.scalar(select(func.count()).select_from(Upload)) == 0


def test_the_bytes_are_undone_with_the_transaction_that_wrote_them(app, database_storage):
    from backend.uploads import service as uploads

    with app.test_request_context():
        uploads.accept(data=PNG, original_name="x.png")
        db.session.rollback()
        assert blobs() == 0


def test_a_worker_erasing_their_data_removes_the_stored_bytes(factory, client, database_storage):
    token = factory.worker_token("eraser")
    assert upload(client, token, PNG, "x.png").status_code == 201
    assert blobs() == 1
    erased = client.post("/api/v1/me/erase", json={"confirm": True}, headers=auth(token))
    assert erased.status_code == 200, erased.json
    assert blobs() == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """A real S3-compatible HTTP server (moto's) on a loopback port, with an empty bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    keys = {"AWS_ACCESS_KEY_ID": "zhigong-test", "AWS_SECRET_ACCESS_KEY": "zhigong-test-secret"}
    saved = {name: os.environ.get(name) for name in keys}
    os.environ.update(keys)
    boto3.client("s3", endpoint_url=endpoint, region_name="cn-north-1").create_bucket(
        Bucket="zhigong-evidence", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
    )
    yield endpoint
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def s3_storage(app, settings, s3_server):
    store = storage_for(
        dataclasses.replace(
            settings,
            upload_storage="s3",
            s3_bucket="zhigong-evidence",
            s3_endpoint_url=s3_server,
            s3_region="cn-north-1",
            s3_prefix="evidence/",
        )
    )
    saved = app.extensions.get("zhigong.storage")
    app.extensions["zhigong.storage"] = store
    yield store
    app.extensions["zhigong.storage"] = saved


def test_uploads_go_to_the_bucket_and_come_back_from_it(factory, client, s3_storage):
    assert isinstance(s3_storage, S3Storage)
    token = factory.worker_token("s3")
    response = upload(client, token, PDF, "诊断书.pdf")
    assert response.status_code == 201, response.json
    key = db.session.scalar(select(Upload.storage_key).where(Upload.id == response.json["id"]))
    stored = s3_storage.client.get_object(Bucket="zhigong-evidence", Key=f"evidence/{key}")["Body"].read()
    assert stored == PDF
    assert client.get(f"/api/v1/uploads/{response.json['id']}", headers=auth(token)).data == PDF
    s3_storage.delete(key)
    with pytest.raises(FileNotFoundError):
        s3_storage.read(key)


def test_the_storage_is_chosen_by_its_setting(settings):
    assert isinstance(storage_for(settings), LocalStorage)
    assert isinstance(storage_for(dataclasses.replace(settings, upload_storage="database")), DatabaseStorage)
    with pytest.raises(RuntimeError, match="UPLOAD_STORAGE"):
        Settings.from_env({"UPLOAD_STORAGE": "ftp"})
    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        Settings.from_env({"UPLOAD_STORAGE": "s3"})
