// Fetches a URL (only the origins task.json allows) and reports how it answered.
export async function run({ url }) {
  const response = await fetch(url)
  const body = await response.text()
  return { status: response.status, ok: response.ok, bytes: body.length }
}
