"""A terminal on the offline AWS: `python -m sagemaker_offline` (or `make offline-shell`) starts one and opens a shell
whose `aws ...` commands reach it; leaving the shell stops it. For the kernel's own offline AWS (the one a notebook
uses), paste `helpers.offline.terminal_exports()` into a terminal instead (notebook 03, Step 8).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sagemaker_offline", description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--command", help="run this shell command instead of an interactive shell")
    parser.add_argument("--bucket", default="", help="also create this S3 bucket, so `aws s3 ls` has something to show")
    args = parser.parse_args(argv)
    import sagemaker_offline

    with sagemaker_offline.running() as aws:
        import boto3

        # the account's default bucket, as sagemaker.Session().default_bucket() makes it
        bucket = args.bucket or f"sagemaker-{aws.region}-{aws.account_id}"
        boto3.client("s3", region_name=aws.region).create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": aws.region})
        shell = os.environ.get("SHELL") or "/bin/sh"
        if args.command:
            return subprocess.call([shell, "-c", args.command], env=os.environ.copy())
        print(f"Offline AWS on {aws.server.url} (127.0.0.1 only), region {aws.region}: `aws ...` in this shell "
              "reaches it; nothing costs money. Type `exit` to stop it and forget everything it holds.")
        return subprocess.call([shell], env=os.environ.copy())


if __name__ == "__main__":
    sys.exit(main())
