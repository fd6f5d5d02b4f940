// Subscription links for feeds, as http(s) and as webcal:// (which calendar apps open as "subscribe").
export function feedLinks(baseUrl: string, path: string) {
  const https = `${baseUrl}${path}`;
  return { https, webcal: https.replace(/^https?:/, 'webcal:') };
}
