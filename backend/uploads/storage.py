"""Where uploaded files live, behind one interface (``save``/``read``/``delete``) so no API host
keeps state of its own (DESIGN §9). ``UPLOAD_STORAGE`` chooses:

- ``local``: a folder on this host (``UPLOAD_DIR``) — one host only (the demo, a single server);
- ``database``: the ``upload_blobs`` table, written in the same transaction as the upload's row, so a
  file uploaded through one API host is served by any other (the 8 MB evidence limit keeps rows small);
- ``s3``: an S3-compatible object store (``S3_BUCKET``, ``S3_ENDPOINT_URL``, ``S3_REGION``,
  ``S3_PREFIX``; credentials the usual boto3 way, e.g. ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, select

from backend.extensions import db
from backend.uploads.models import UploadBlob


class Storage(Protocol):
    # True when the store writes in the caller's own transaction (a delete is undone with it);
    # otherwise a delete is final and waits until the transaction that decided it has committed.
    transactional: bool

    def save(self, key: str, data: bytes) -> None: ...
    def read(self, key: str) -> bytes: ...  # FileNotFoundError when there is no such file
    def delete(self, key: str) -> None: ...


class LocalStorage:
    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("storage key escapes the storage root")
        return path

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # never a half-written file under the real name

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    transactional = False


class DatabaseStorage:
    """Files as rows of ``upload_blobs`` in the request's own session and transaction: the file and
    the upload's row are kept or undone together, and every host sees both."""

    part_bytes = 1024 * 1024
    transactional = True

    def save(self, key: str, data: bytes) -> None:

        for part, start in enumerate(range(0, len(data), self.part_bytes)):
            db.session.add(UploadBlob(storage_key=key, part=part, data=data[start : start + self.part_bytes]))

    def read(self, key: str) -> bytes:


        parts = db.session.scalars(
            select(UploadBlob.data).where(UploadBlob.storage_key == key).order_by(UploadBlob.part)
        ).all()
        if not parts:
            raise FileNotFoundError(key)
        return b"".join(parts)

    def delete(self, key: str) -> None:


        db.session.execute(delete(UploadBlob).where(UploadBlob.storage_key == key))


class S3Storage:
    """An S3-compatible bucket through boto3 (AWS S3, Aliyun OSS and Tencent COS in S3 mode, MinIO…)."""

    transactional = False

    def __init__(
        self, *, bucket: str, endpoint_url: str | None = None, region: str | None = None, prefix: str = ""
    ):
        # boto3 is needed (and loaded, ~0.5 s) only where UPLOAD_STORAGE=s3 is configured.
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(
                retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=3, read_timeout=10
            ),
        )

    def save(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def read(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(key) from exc
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)


def storage_for(settings) -> Storage:
    """The backend ``settings.upload_storage`` names."""
    if settings.upload_storage == "database":
        return DatabaseStorage()
    if settings.upload_storage == "s3":
        return S3Storage(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            prefix=settings.s3_prefix,
        )
    return LocalStorage(settings.upload_dir)
