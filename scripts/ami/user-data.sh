#!/usr/bin/env bash
# EC2 user data, or an image-build script, for an ElasticClassifier instance on Ubuntu 22.04,
# Ubuntu 24.04 or Debian 12. It
#   1. installs the shared libraries the bundle links against, by this release's package names;
#   2. downloads the bundle that scripts/ami/make-bundle built (an https URL: `provision
#      bundle-url` uploads it and prints a presigned one) and checks it against BUNDLE_SHA256,
#      then every file in it against its SHA256SUMS;
#   3. installs it in /opt/elastic-classifier, the configuration in /etc/elastic-classifier,
#      and the tier's systemd unit, and starts it as an unprivileged user of the tier's name.
# The instance's role gives the tier its AWS access: no keys are stored on the instance.
#
# Set the three values below (or export them when running it by hand), then pass this file as
# user data, or run it once on a builder instance and make an AMI of that instance.
#   user-data.sh                  install and start (what EC2 runs)
#   user-data.sh packages ID VER  print the packages it would install on that release
set -euo pipefail

BUNDLE_URL="${BUNDLE_URL:-https://CHANGE-ME/elastic-classifier.tar.gz}"
BUNDLE_SHA256="${BUNDLE_SHA256:-CHANGE-ME}"
# apptier (a worker) or webtier (the web tier and autoscaler).
TIER="${TIER:-apptier}"
# "no" when building an AMI: the unit is enabled for the instances made from the image, but
# not started on the builder (which has no role to reach the queues).
START_NOW="${START_NOW:-yes}"

# Where things go; overridable for the tests, which run this script in a scratch directory.
PREFIX="${PREFIX:-/opt/elastic-classifier}"
CONFIG_DIR="${CONFIG_DIR:-/etc/elastic-classifier}"
SYSTEMD_DIR="${SYSTEMD_DIR:-/etc/systemd/system}"
OS_RELEASE="${OS_RELEASE:-/etc/os-release}"

log() { printf 'elastic-classifier: %s\n' "$*"; }
fail() { printf 'elastic-classifier: error: %s\n' "$*" >&2; exit 1; }

# The runtime libraries of bin/apptier, bin/webtier and libonnxruntime (MANIFEST lists them;
# libjpeg.so.62 comes in the bundle), named per release: Ubuntu 24.04 renamed several for its
# 64-bit time_t transition (t64).
packages_for() {
    local common="ca-certificates curl zlib1g libdeflate0 libstdc++6 libgcc-s1 libxml2"
    case "$1:$2" in
        debian:12) echo "$common libcurl4 libssl3 libpng16-16" ;;
        ubuntu:22.04) echo "$common libcurl4 libssl3 libpng16-16" ;;
        ubuntu:24.04) echo "$common libcurl4t64 libssl3t64 libpng16-16t64" ;;
        *) return 1 ;;
    esac
}

release_of() {
    [ -r "$OS_RELEASE" ] || fail "cannot read $OS_RELEASE to tell the distribution"
    local id version
    id="$(sed -n 's/^ID=//p' "$OS_RELEASE" | tr -d '"')"
    version="$(sed -n 's/^VERSION_ID=//p' "$OS_RELEASE" | tr -d '"')"
    echo "$id $version"
}

install_packages() {
    local id="$1" version="$2" packages
    packages="$(packages_for "$id" "$version")" \
        || fail "unsupported distribution '$id $version': use Ubuntu 22.04, Ubuntu 24.04 or Debian 12"
    log "installing packages for $id $version: $packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086 # the list is ours, one word per package
    apt-get install -y -qq --no-install-recommends $packages
}

# Downloads and checks the bundle, then unpacks it into a fresh directory beside PREFIX.
fetch_bundle() {
    local work="$1"
    case "$BUNDLE_URL" in
        https://CHANGE-ME*|*CHANGE-ME*) fail "set BUNDLE_URL and BUNDLE_SHA256 at the top of this script" ;;
        https://*) ;;
        *) fail "BUNDLE_URL must be an https URL (provision bundle-url prints one), got '$BUNDLE_URL'" ;;
    esac
    [[ "$BUNDLE_SHA256" =~ ^[0-9a-f]{64}$ ]] || fail "BUNDLE_SHA256 must be 64 lower-case hex digits"
    log "downloading the bundle"
    curl --fail --silent --show-error --location --retry 5 --retry-delay 3 --proto '=https' \
        --output "$work/bundle.tar.gz" "$BUNDLE_URL"
    echo "$BUNDLE_SHA256  $work/bundle.tar.gz" | sha256sum --check --quiet - \
        || fail "the bundle's SHA-256 is not BUNDLE_SHA256: refusing to install it"
    mkdir "$work/bundle"
    tar -xzf "$work/bundle.tar.gz" -C "$work/bundle" --no-same-owner
    (cd "$work/bundle" && sha256sum --check --quiet --strict SHA256SUMS) \
        || fail "a file in the bundle does not match its SHA256SUMS: refusing to install it"
}

install_bundle() {
    local work="$1"
    id "$TIER" >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$TIER"
    install -d -m 0755 "$(dirname "$PREFIX")" "$CONFIG_DIR" "$SYSTEMD_DIR"
    # Replace the whole tree at once, so no mix of two versions is ever started.
    rm -rf "$PREFIX.previous"
    if [ -d "$PREFIX" ]; then mv "$PREFIX" "$PREFIX.previous"; fi
    mv "$work/bundle" "$PREFIX"
    chmod -R go-w "$PREFIX"
    install -m 0644 "$PREFIX/config.json" "$CONFIG_DIR/config.json"
    local ort
    ort="$(find "$PREFIX/lib" -name 'libonnxruntime.so.*' -type f | sort | tail -n 1)"
    cat > "$CONFIG_DIR/$TIER.env" <<ENV
ORT_LIBRARY_PATH=$ort
ELASTIC_MODEL=$PREFIX/models/efficientnet-lite0.onnx
ELASTIC_LABELS=$PREFIX/Resources/imagenet-labels.json
ELASTIC_WORKER_MODE=ec2
ENV
    chmod 0644 "$CONFIG_DIR/$TIER.env"
    install -m 0644 "$PREFIX/systemd/$TIER.service" "$SYSTEMD_DIR/$TIER.service"
}

main() {
    case "${1:-install}" in
        packages)
            packages_for "${2:-}" "${3:-}" || fail "no package list for '${2:-} ${3:-}'"
            return 0 ;;
        install) ;;
        *) fail "unknown command '$1' (install, or packages ID VERSION)" ;;
    esac
    case "$TIER" in apptier|webtier) ;; *) fail "TIER must be apptier or webtier, got '$TIER'" ;; esac
    local release
    release="$(release_of)"
    # shellcheck disable=SC2086 # "ID VERSION" splits into the two arguments
    install_packages $release
    WORK="$(mktemp -d)"
    trap 'rm -rf "$WORK"' EXIT
    fetch_bundle "$WORK"
    install_bundle "$WORK"
    systemctl daemon-reload
    local version
    version="$(sed -n 's/^version: //p' "$PREFIX/MANIFEST")"
    if [ "$START_NOW" = no ]; then
        systemctl enable "$TIER.service"
        log "$TIER installed from bundle $version, enabled for the next boot (image build)"
    else
        systemctl enable --now "$TIER.service"
        log "$TIER installed from bundle $version and started"
    fi
}

main "$@"
