// A static single-page app: everything runs in the browser, nothing on a server.
export const prerender = true;
export const ssr = false;
