/** Minimal types for blake-hash 2.0.0 (the package ships none): the BLAKE hashes of the SHA-3 competition. */
declare module 'blake-hash' {
  interface BlakeHash {
    update(data: Buffer | string): BlakeHash;
    digest(): Buffer;
  }
  export default function createBlakeHash(algorithm: 'blake224' | 'blake256' | 'blake384' | 'blake512'): BlakeHash;
}
