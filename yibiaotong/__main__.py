"""Allow ``python -m yibiaotong``."""

from yibiaotong.cli import main

main()
