#!/usr/bin/env bash
# EC2 user data for an app-tier instance (Ubuntu 22.04/24.04 or Debian 12).
#
# It installs the worker from an artifact bundle in S3 that `scripts/ami/make-bundle` builds:
#   bin/apptier, lib/libonnxruntime.so.*, models/*.onnx, Resources/imagenet-labels.json,
#   config.json (the account's configuration, worker.mode = "ec2").
# Then it starts the systemd unit. Everything it needs comes from the bundle and the distribution's
# packages; the instance role gives it S3/SQS/EC2 access (no keys on the instance).
#
# Set BUNDLE_URL below (an s3:// URL readable by the instance role) before using this as user data.
set -euo pipefail
BUNDLE_URL="${BUNDLE_URL:-s3://CHANGE-ME-elastic-classifier-artifacts/apptier-bundle.tar.gz}"
PREFIX=/opt/elastic-classifier

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq libcurl4 libjpeg62-turbo libdeflate0 libpng16-16 ca-certificates awscli >/dev/null \
    || apt-get install -y -qq libcurl4t64 libjpeg-turbo8 libdeflate0 libpng16-16t64 ca-certificates >/dev/null

id apptier >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin apptier
install -d -m 0755 "$PREFIX" /etc/elastic-classifier
tmp="$(mktemp -d)"
aws s3 cp --only-show-errors "$BUNDLE_URL" "$tmp/bundle.tar.gz"
tar -xzf "$tmp/bundle.tar.gz" -C "$PREFIX"
rm -rf "$tmp"
install -m 0644 "$PREFIX/config.json" /etc/elastic-classifier/config.json

ort_lib="$(ls "$PREFIX"/lib/libonnxruntime.so* | head -n 1)"
cat > /etc/elastic-classifier/apptier.env <<ENV
ORT_LIBRARY_PATH=$ort_lib
ELASTIC_MODEL=$PREFIX/models/efficientnet-lite0.onnx
ELASTIC_LABELS=$PREFIX/Resources/imagenet-labels.json
ELASTIC_WORKER_MODE=ec2
ENV

install -m 0644 "$PREFIX/apptier.service" /etc/systemd/system/apptier.service
systemctl daemon-reload
systemctl enable --now apptier.service
