/** The name the VPN gets on the Mac: the organisation's VPN. */
export function vpnDisplayName(organization: string): string {
  return /\bvpn\b/i.test(organization) ? organization : `${organization} VPN`;
}
