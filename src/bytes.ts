/**
 * Bytes as a Buffer without copying them: `Buffer.from(uint8array)` copies, and a Uint8Array that
 * crossed threads (a structured clone keeps no Buffer class) or was sliced from a file needs
 * Buffer's methods (toString, indexOf). A build does this for every certificate and identity.
 */
export const bufferView = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
