"""The simplification report supervisors read: figures with their formulas, in every format."""

from yibiaotong.report.figures import REPORT_FORMAT, Report, build_report

__all__ = ["REPORT_FORMAT", "Report", "build_report"]
