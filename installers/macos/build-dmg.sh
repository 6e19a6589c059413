#!/usr/bin/env bash
# Build "Agent Assist.app" and a .dmg on macOS (needs Xcode command line tools for hdiutil):
#   python installers/build.py --no-package     # builds dist/Agent Assist.app via the spec
#   bash installers/macos/build-dmg.sh
# Then smoke-test the bundle exactly as on Linux. Signing and notarisation (needed for
# Gatekeeper outside a managed fleet) take an Apple Developer ID:
#   codesign --deep --options runtime --sign "Developer ID Application: …" "dist/Agent Assist.app"
#   xcrun notarytool submit dist/agent-assist-VERSION.dmg --keychain-profile … --wait
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=$(python3 -c 'import agent_assist; print(agent_assist.__version__)')
APP="dist/Agent Assist.app"
[ -d "$APP" ] || { echo "missing $APP: run python installers/build.py --no-package first" >&2; exit 1; }
data=$(mktemp -d)
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/agent-assist-gui" --data-dir "$data" --smoke \
  2>"$data/stderr" || { cat "$data/stderr" >&2; exit 1; }
[ ! -s "$data/stderr" ] || { echo "unexpected stderr:" >&2; cat "$data/stderr" >&2; exit 1; }
rm -rf "$data"
staging=$(mktemp -d)
cp -R "$APP" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "Agent Assist" -srcfolder "$staging" -ov -format UDZO \
  "dist/agent-assist-$VERSION.dmg"
rm -rf "$staging"
echo "built dist/agent-assist-$VERSION.dmg"
