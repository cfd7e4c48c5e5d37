#!/bin/sh
# The main job on an example site: a server tree for the router and a signed profile for alice.
# Re-creates ./example-site (git-ignored) on every run.
set -eu
cd "$(dirname "$0")/.."
macvpn() { node bin/macvpn.js --site example-site "$@"; }

rm -rf example-site
macvpn init --server vpn.example.com --dns 192.168.1.1 --org "Example Corp"
macvpn user add alice --email alice@example.com
macvpn user add bob --ip 10.0.0.50
macvpn build
echo
macvpn verify example-site/profiles/alice.mobileconfig
echo
echo "openssl agrees:"
openssl cms -verify -inform DER -in example-site/profiles/alice.mobileconfig -CAfile example-site/ca.pem -purpose any -out /dev/null
echo
echo "Done: copy example-site/server/ to the router and run install.sh there; send each user profiles/NAME.mobileconfig."
