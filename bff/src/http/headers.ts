import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Headers every response carries: no MIME sniffing, no referrer (a page's address never leaves it),
 * HSTS in production, the camera for this site only, and a CSP that lets an API answer run nothing.
 * HTML pages set their own CSP (pageCsp). No X-Frame-Options: frame-ancestors decides who may frame.
 */
export function securityHeaders(production: boolean): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: false,
      // Storefronts load embed.js from their own pages.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      crossOriginEmbedderPolicy: false,
    }),
    (_req, res, next) => {
      res.set('Permissions-Policy', 'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()');
      next();
    },
  ];
}

/** `'sha256-…'` of every inline script of an HTML page, for its CSP. */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/giu)]
    .map((match) => `'sha256-${createHash('sha256').update(match[1] ?? '').digest('base64')}'`);
}

/**
 * The SPA's CSP: its own scripts and the inline ones by hash (no 'unsafe-inline'), WebAssembly for
 * the face tracker, its own API, camera frames as blob: and data: images, and who may frame it.
 */
export function pageCsp(scriptHashes: readonly string[], frameAncestors: readonly string[]): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${scriptHashes.join(' ')}`.trim(),
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

/** Sets a page's CSP over the API one. */
export function setPageCsp(res: Response, csp: string): void {
  res.set('Content-Security-Policy', csp);
}

/**
 * JSON that is safe inside an HTML `<script>`: `<`, `>`, `&` and the line separators escaped, so no
 * value can close the script or open a comment.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
