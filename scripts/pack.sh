#!/usr/bin/env bash
# Packs every packable project under src/ into one folder, all at one version.
#
#   bash scripts/pack.sh [--output DIR] [--version VERSION]
#
#   --output DIR       where the .nupkg files go (default artifacts/packages under the repo root).
#   --version VERSION  the version of every package, e.g. 0.2.0 or 0.2.0-beta.3. Default: $FLOWS_VERSION if set,
#                      else <Version> in Directory.Build.props. Packages reference each other at this version.
#
# The folder is a NuGet feed as it is: see "Getting the packages" in README.md.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUTPUT="$REPO_ROOT/artifacts/packages"
VERSION="${FLOWS_VERSION:-}"

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while (($# > 0)); do
    case "$1" in
        --output) [[ $# -ge 2 ]] || usage; OUTPUT="$2"; shift 2 ;;
        --version) [[ $# -ge 2 ]] || usage; VERSION="$2"; shift 2 ;;
        -h | --help) usage ;;
        *) printf 'ERROR: unknown argument %s\n' "$1" >&2; usage ;;
    esac
done

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

mkdir -p -- "$OUTPUT"
OUTPUT="$(cd "$OUTPUT" && pwd)"
version_arg=()
[[ -n $VERSION ]] && version_arg=("-p:Version=$VERSION")

# A project that is not packable (the generator: it ships inside Flows.Sdk) produces nothing.
for project in "$REPO_ROOT"/src/*/*.csproj; do
    printf '==> packing %s\n' "$(basename "$project" .csproj)"
    dotnet pack "$project" -c Release -o "$OUTPUT" --nologo -v quiet "${version_arg[@]}"
done

printf '==> packages in %s:\n' "$OUTPUT"
find "$OUTPUT" -maxdepth 1 -name '*.nupkg' -printf '  %f\n' | sort
