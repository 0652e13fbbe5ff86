#!/usr/bin/env bash
# What an operator would write without bulk: add free days to every row of a
# CSV (membership_id,days,...) with one curl per row, 8 at a time. curl
# retries each request 3 times on a timeout, a 429 or a 5xx (--retry), and a
# row it gives up on is appended to $FAILED.
#
#   WHOP_API_KEY=... WHOP_BASE_URL=.../api/v2 FAILED=failed.txt curl-loop.sh rows.csv
set -u
tail -n +2 "$1" | cut -d, -f1,2 | tr , ' ' |
	xargs -P 8 -n 2 sh -c '
		curl -sS -o /dev/null --fail --retry 3 -X POST \
			-H "Authorization: Bearer $WHOP_API_KEY" -H "Content-Type: application/json" \
			-d "{\"days\": $1}" "$WHOP_BASE_URL/memberships/$0/add_free_days" ||
			echo "$0" >>"$FAILED"'
