/**
 * One CA and one serving certificate (127.0.0.1, ::1, localhost) per kube-sim process. Keys come
 * from node:crypto (native, fast); node-forge only builds and signs the certificates.
 */
import { generateKeyPair, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

interface KeyPair {
  publicKey: forge.pki.rsa.PublicKey;
  pem: string;
}

const generate = promisify(generateKeyPair);

async function keyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generate('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return { publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey, pem: privateKey };
}

/** Signs with node:crypto: forge's pure-JS RSA would take most of a second per certificate. */
function signWith(cert: forge.pki.Certificate, signerPem: string): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  cert.md = forge.md.sha256.create();
  // getTBSCertificate exists in node-forge but is missing from its type definitions.
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  (cert as unknown as { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', der, signerPem).toString('binary');
}

function serial(): string {
  // Positive, 16 bytes.
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

export async function createTlsMaterial(commonName = 'kube-sim-ca'): Promise<TlsMaterial> {
  const now = Date.now();
  // Both keys at once: node generates them on its thread pool.
  const [ca, server] = await Promise.all([keyPair(), keyPair()]);
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = new Date(now - 3600_000);
  caCert.validity.notAfter = new Date(now + 10 * 365 * 24 * 3600_000);
  const caSubject = [{ name: 'commonName', value: commonName }];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWith(caCert, ca.pem);

  const cert = forge.pki.createCertificate();
  cert.publicKey = server.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now - 3600_000);
  cert.validity.notAfter = new Date(now + 365 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  cert.setIssuer(caSubject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
        { type: 2, value: 'localhost' },
        { type: 2, value: 'kubernetes' },
        { type: 2, value: 'kubernetes.default' },
        { type: 2, value: 'kubernetes.default.svc' },
        { type: 2, value: 'kubernetes.default.svc.cluster.local' },
      ],
    },
  ]);
  signWith(cert, ca.pem);
  return { caPem: forge.pki.certificateToPem(caCert), certPem: forge.pki.certificateToPem(cert), keyPem: server.pem };
}
