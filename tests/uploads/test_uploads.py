"""Evidence uploads: recognised by content, size-limited, never empty, served only to their owner."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.uploads.models import Upload
from tests.factories import auth

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f70000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


def upload(client, token, data: bytes, name: str):
    return client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(data), name)},
        headers=auth(token),
        content_type="multipart/form-data",
    )


def count_uploads() -> int:
    return db.session.scalar(select(func.count()).select_from(Upload))


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (PNG, "证明.png", "image/png"),
        (JPEG, "病历.jpg", "image/jpeg"),
        (PDF, "诊断书.pdf", "application/pdf"),
        (PNG, "photo.pdf", "image/png"),
    ],
)
def test_images_and_pdfs_are_accepted_by_content(factory, client, data, name, mime):
    token = factory.worker_token("uploader")
    response = upload(client, token, data, name)
    assert response.status_code == 201, response.json
    assert response.json["content_type"] == mime and response.json["size"] == len(data)
    served = client.get(f"/api/v1/uploads/{response.json['id']}", headers=auth(token))
    assert served.status_code == 200 and served.data == data
    assert served.headers["Content-Type"] == mime and served.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (EXE, "发票.jpg"),
        (EXE, "合同.pdf"),
        (b"just text, not an image", "a.png"),
        (b"<svg onload=alert(1)>", "a.svg"),
    ],
)
def test_anything_else_is_refused_whatever_its_name(factory, client, data, name):
    token = factory.worker_token("uploader")
    response = upload(client, token, data, name)
    assert response.status_code == 422
    assert response.json["errors"]["file"] == ["只能上传 JPG、PNG、WEBP 图片或 PDF 文件"]
    assert count_uploads() == 0


def test_an_empty_file_is_refused(factory, client):
    response = upload(client, factory.worker_token("uploader"), b"", "empty.jpg")
    assert response.status_code == 422 and "空" in response.json["errors"]["file"][0]
    assert count_uploads() == 0


def test_an_oversized_file_is_refused(factory, client, settings):
    token = factory.worker_token("uploader")
    just_over = PDF + b"0" * (settings.max_upload_bytes - len(PDF) + 1)
    response = upload(client, token, just_over, "big.pdf")
    assert response.status_code == 413 and "8 MB" in response.json["message"]
    far_over = PDF + b"0" * (settings.max_upload_bytes + 200_000)
    response = upload(client, token, far_over, "huge.pdf")
    assert response.status_code == 413 and response.json["message"] == "请求体过大"
    assert count_uploads() == 0


def test_a_missing_file_field_is_named(factory, client):
    token = factory.worker_token("uploader")
    response = client.post(
        "/api/v1/uploads", data={}, headers=auth(token), content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "file" in response.json["errors"]


def test_an_upload_is_served_only_to_its_owner(factory, client):
    factory.org_tree()
    owner = factory.worker_token("owner")
    upload_id = upload(client, owner, PNG, "x.png").json["id"]
    assert (
        client.get(f"/api/v1/uploads/{upload_id}", headers=auth(factory.worker_token("other"))).status_code
        == 404
    )
    assert client.get(f"/api/v1/uploads/{upload_id}").status_code == 401
    # staff see files only through a case in their subtree; an unattached upload belongs to no case
    staff = factory.staff_token("t_city")
    assert client.get(f"/api/v1/staff/uploads/{upload_id}", headers=auth(staff)).status_code == 404
