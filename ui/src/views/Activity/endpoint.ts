/**
 * What the Activity table shows of an endpoint: its last path segment, the one part that tells
 * calls apart (`/cgi-bin/component/api_get_authorizer_info` → `api_get_authorizer_info`). A
 * short generic last segment keeps its parent (`/cgi-bin/openapi/quota/get` → `quota/get`).
 */
export function endpointName(endpoint: string): string {
  const segments = endpoint.split(/[?#]/, 1)[0]!.split("/").filter((s) => s !== "");
  const last = segments[segments.length - 1];
  if (last === undefined) return endpoint;
  const parent = segments[segments.length - 2];
  return last.length <= 6 && parent !== undefined && parent !== "cgi-bin" ? `${parent}/${last}` : last;
}
