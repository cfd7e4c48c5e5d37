/** PayloadType values of the payloads macvpn writes (apple-schema/*.yaml `payloadtype`). */
export const PAYLOAD_TYPE_VPN = 'com.apple.vpn.managed';
export const PAYLOAD_TYPE_PKCS12 = 'com.apple.security.pkcs12';
export const PAYLOAD_TYPE_ROOT = 'com.apple.security.root';
