import { generate } from 'selfsigned';

/**
 * A self-signed certificate for localhost and 127.0.0.1, made afresh for a
 * test: the loopback server speaks HTTPS (and so HTTP/2) with it, and
 * Chromium is told to accept it (--ignore-certificate-errors).
 */
export async function localhostCertificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
