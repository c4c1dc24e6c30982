"""One typed settings object, built at the CLI edge.

Precedence: flags > YBT_* environment > workspace config file > defaults.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yibiaotong.errors import UsageError, WorkspaceError
from yibiaotong.messages import msg

CONFIG_NAME = "ybt.toml"
DATABASE_NAME = "ybt.duckdb"
ENV_PREFIX = "YBT_"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a stage may need to know about how to run. Stages read no globals."""

    workspace: Path | None = None
    debug: bool = False
    accept_score: float = 0.85  # a header match at or above this is accepted without review
    review_score: float = 0.55  # candidates at or above this are offered for review
    schema_extensions: tuple[Path, ...] = ()
    workers: int = 2
    file_timeout_seconds: float = 300.0
    file_memory_mb: int = 3072
    max_file_mb: int = 200
    county: str = ""
    wait_seconds: float = 0.0  # how long to wait for another ybt process to release the workspace
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def database(self) -> Path:
        return self.require_workspace() / DATABASE_NAME

    def require_workspace(self) -> Path:
        if self.workspace is None:
            raise WorkspaceError(msg("settings.no_workspace"))
        return self.workspace


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
_TYPED = {
    "accept_score": float,
    "review_score": float,
    "workers": int,
    "file_timeout_seconds": float,
    "file_memory_mb": int,
    "max_file_mb": int,
    "county": str,
    "debug": bool,
    "wait_seconds": float,
}


def find_workspace(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding a ybt.toml."""
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def load_settings(
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Resolve settings with the precedence flags > environment > workspace config > defaults."""
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    environ = os.environ if environ is None else environ
    workspace_text = flags.get("workspace") or environ.get(f"{ENV_PREFIX}WORKSPACE")
    workspace = (
        Path(workspace_text).expanduser().resolve()
        if workspace_text
        else find_workspace((cwd or Path.cwd()).resolve())
    )
    values: dict[str, Any] = {}
    if workspace is not None and (workspace / CONFIG_NAME).is_file():
        values.update(_read_config(workspace / CONFIG_NAME))
    for name, kind in _TYPED.items():
        raw = environ.get(f"{ENV_PREFIX}{name.upper()}")
        if raw is not None:
            values[name] = _coerce(kind, raw, f"{ENV_PREFIX}{name.upper()}")
    values.update({k: v for k, v in flags.items() if k in _FIELDS and k != "workspace"})
    if "schema_extensions" in values:
        base = workspace or Path.cwd()
        values["schema_extensions"] = tuple(
            (base / Path(p)).resolve() for p in values["schema_extensions"]
        )
    return Settings(workspace=workspace, **values)


def _read_config(path: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise WorkspaceError(msg("settings.bad_config", detail=str(error)), str(path)) from error
    values: dict[str, Any] = {}
    for section in document.values():
        if not isinstance(section, dict):
            continue
        for key, value in section.items():
            if key in _TYPED:
                values[key] = _coerce(_TYPED[key], value, f"{path.name}: {key}")
            elif key == "schema_extensions":
                values[key] = tuple(str(item) for item in value)
    return values


def _coerce(kind: type, raw: Any, where: str) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in {"1", "true", "yes", "on", "是"}
    try:
        return kind(raw)
    except (TypeError, ValueError) as error:
        raise UsageError(msg("settings.bad_value", where=where, value=raw)) from error


DEFAULT_CONFIG = """# ybt 工作区配置（一表通）。命令行参数和 YBT_* 环境变量优先于此文件。
[workspace]
# 县（旗、区）名称，出现在生成报表的标题中
county = "{county}"

[matching]
# 表头匹配得分不低于此值时自动采纳，低于此值的列进入待审核清单
accept_score = 0.85
# 待审核清单中只列出得分不低于此值的候选数据元
review_score = 0.55

[schema]
# 本地扩展的台账目录文件（相对于工作区），在默认目录基础上增加数据元或别名
schema_extensions = []

[reading]
# 单个文件的大小上限（MB）、读取超时（秒）和内存上限（MB）
max_file_mb = 200
file_timeout_seconds = 300
file_memory_mb = 3072
workers = 2
"""
