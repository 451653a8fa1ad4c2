import { inSection, integer, secret, text, url } from '../variable.js';

/** Client tokens at the gateway, and the gateway's signature on subgraph requests (docs/security.md). */
export const auth = inSection(
  {
    title: 'Identity (docs/security.md)',
    intro:
      'Client tokens: an HS256 shared secret or the JWKS URL of your identity provider; unset both and tokens are not read.',
  },
  {
    jwtSecret: secret({
      name: 'JWT_SECRET',
      example: 'replace-with-at-least-32-random-characters',
      unset: 'tokens are not read (`npm start` generates one and prints tokens signed with it)',
      doc: 'HS256 secret that verifies client tokens at the gateway; docker compose requires it (e.g. `openssl rand -hex 32`).',
    }),
    jwksUrl: url({
      name: 'JWT_JWKS_URL',
      example: 'https://idp.example.com/.well-known/jwks.json',
      unset: 'JWT_SECRET verifies tokens',
      doc: 'JWKS URL of your identity provider (RS256/ES256 tokens), used instead of JWT_SECRET.',
    }),
    issuer: text({ name: 'JWT_ISSUER', default: 'polystore', doc: 'The `iss` claim every token must carry.' }),
    audience: text({ name: 'JWT_AUDIENCE', default: 'polystore', doc: 'The `aud` claim every token must carry.' }),
    clockSkewSeconds: integer({
      name: 'JWT_CLOCK_SKEW_SECONDS',
      default: 30,
      min: 0,
      max: 300,
      doc: "Seconds of clock difference tolerated on a token's exp/nbf.",
    }),
    maxLifetimeSeconds: integer({
      name: 'JWT_MAX_LIFETIME_SECONDS',
      default: 86_400,
      min: 60,
      max: 31_536_000,
      doc: 'Longest token lifetime accepted, in seconds (exp − iat; exp − now without iat); tokens without exp are refused.',
    }),
    subgraphSecret: secret({
      name: 'SUBGRAPH_SIGNING_SECRET',
      example: 'replace-with-at-least-32-random-characters',
      unset: 'subgraph requests are not signed (`npm start` generates one)',
      doc: 'The gateway signs every subgraph request (claims included) with it and subgraphs refuse unsigned ones; the same on every service; docker compose requires it.',
    }),
    signatureMaxAgeSeconds: integer({
      name: 'SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS',
      default: 60,
      min: 1,
      max: 3600,
      doc: 'Seconds a subgraph accepts a gateway signature after it was made (either way of its clock), so a captured request cannot be replayed later.',
    }),
  },
);
