#!/bin/sh
# The main job on two example sites, one per VPN type: a server tree for the router and signed
# profiles. Re-creates ./example-site (L2TP) and ./example-site-ikev2 (git-ignored) on every run.
set -eu
cd "$(dirname "$0")/.."

demo() {
	site=$1
	shift
	macvpn() { node bin/macvpn.js --site "$site" "$@"; }
	rm -rf "$site"
	macvpn init --server vpn.example.com --dns 192.168.1.1 --org "Example Corp" "$@"
	macvpn user add alice --email alice@example.com
	macvpn user add bob
	macvpn build
	echo
	macvpn verify "$site/profiles/alice.mobileconfig"
	echo
	echo "openssl agrees:"
	openssl cms -verify -inform DER -in "$site/profiles/alice.mobileconfig" -CAfile "$site/ca.pem" -purpose any -out /dev/null
	echo
}

echo "== L2TP over IPsec (isakmpd + npppd): example-site/"
demo example-site
echo "== IKEv2 (iked), a certificate per user: example-site-ikev2/"
demo example-site-ikev2 --vpn ikev2
echo "Done: copy SITE/server/ to the router and run install.sh there; send each user profiles/NAME.mobileconfig."
