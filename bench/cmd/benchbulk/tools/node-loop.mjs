// What an operator would write with Node without bulk: read the CSV
// (membership_id,days,...), 8 concurrent workers, one call per row, each
// retried 3 times on errors. A row given up on is printed to stdout.
//
//   WHOP_API_KEY=... WHOP_BASE_URL=.../api/v2 node node-loop.mjs rows.csv sdk|fetch
//
// "sdk" calls the official @whop/sdk package (installed beside this file)
// with its own retries (maxRetries: 3: 408, 409, 429, 5xx and connection
// errors, with backoff). "fetch" is a plain fetch loop doing the same.
import { readFileSync } from 'node:fs';

const [file, mode] = process.argv.slice(2);
const base = process.env.WHOP_BASE_URL;
const key = process.env.WHOP_API_KEY;
const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((line) => {
  const [id, days] = line.split(',');
  return { id, days: Number(days) };
});

let addFreeDays;
if (mode === 'sdk') {
  const { default: Whop } = await import('@whop/sdk');
  const client = new Whop({ apiKey: key, baseURL: base, maxRetries: 3 });
  // The SDK describes the body as { free_days } (the current API); the v2
  // route reads "days", which plain JavaScript passes through unchecked.
  addFreeDays = (row) => client.memberships.addFreeDays(row.id, { days: row.days });
} else {
  addFreeDays = async (row) => {
    for (let attempt = 0; ; attempt++) {
      let error;
      try {
        const res = await fetch(`${base}/memberships/${row.id}/add_free_days`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ days: row.days }),
        });
        await res.arrayBuffer();
        if (res.ok) return;
        error = new Error(`HTTP ${res.status}`);
        if (res.status !== 429 && res.status < 500) throw error;
      } catch (e) {
        if (e === error) throw e;
        error = e;
      }
      if (attempt >= 3) throw error;
      await new Promise((ok) => setTimeout(ok, 1000 * 2 ** attempt));
    }
  };
}

let next = 0;
const failed = [];
await Promise.all(Array.from({ length: 8 }, async () => {
  while (next < rows.length) {
    const row = rows[next++];
    try {
      await addFreeDays(row);
    } catch (e) {
      failed.push(row.id);
      console.error(`${row.id}: ${e.message}`);
    }
  }
}));
for (const id of failed) console.log(id);
