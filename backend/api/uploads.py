"""Evidence uploads: ``POST /uploads`` (multipart, field ``file``), then pass the ids with the case."""

from __future__ import annotations

from functools import wraps

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_smorest.fields import Upload as UploadField

from backend.api.access import current_account, current_scope, staff_required, worker_required
from backend.api.base import Blueprint
from backend.common.fields import LocalDateTime
from backend.common.schema import Schema
from backend.staff import permissions as perm
from backend.uploads import service as uploads
from backend.uploads.files import file_response

blp = Blueprint("uploads", __name__, url_prefix="/api/v1", description="附件上传（图片、PDF）")


class UploadForm(Schema):
    file = UploadField(required=True, metadata={"description": "JPG/PNG/WEBP 图片或 PDF，单个不超过 8 MB"})


class UploadOut(Schema):
    id = ma.fields.Integer()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    original_name = ma.fields.String(allow_none=True)
    created_at = LocalDateTime()


def _allow_upload_size(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        request.max_content_length = uploads.max_bytes() + 64 * 1024  # the form's own overhead
        return view(*args, **kwargs)

    return wrapper


@blp.route("/uploads")
class Uploads(MethodView):
    decorators = [worker_required]

    @_allow_upload_size
    @blp.arguments(UploadForm, location="files")
    @blp.response(201, UploadOut)
    def post(self, form):
        """上传一个附件（证明材料照片或 PDF）；提交求助时在 evidence_ids 中带上返回的 id"""
        file = form["file"]
        return uploads.accept(data=file.read(), original_name=file.filename, account=current_account())


@blp.route("/uploads/<int:upload_id>")
class MyUpload(MethodView):
    decorators = [worker_required]

    @blp.response(200)
    def get(self, upload_id):
        """查看自己上传的附件"""
        return file_response(*uploads.for_worker(account=current_account(), upload_id=upload_id))


@blp.route("/staff/uploads/<int:upload_id>")
class StaffUpload(MethodView):
    decorators = [staff_required(perm.EVIDENCE_ANY)]

    @blp.response(200)
    def get(self, upload_id):
        """查看本级及下级工会案件的附件"""
        return file_response(*uploads.for_staff(scope=current_scope(), upload_id=upload_id))
