#!/bin/sh
# The plain-Git way to record a run: what a user without trail would do.
#
# Usage: naive_record.sh CMD [ARGS...]   (run inside the repository)
#
# Runs CMD, then writes runs/<n>/run.yaml (id, command, status, exit code,
# times, code commit, user) into the working tree, `git add`s it and commits it
# on the checked-out branch. It captures far less than trail (no code snapshot,
# no environment, no metrics) and, unlike trail, it changes the user's branch
# and index: it is the cheapest honest peer, not an equivalent.
set -u
started=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
"$@"
code=$?
ended=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
n=$(( $(cat runs/.count 2>/dev/null || echo 0) + 1 ))
mkdir -p "runs/$n"
echo "$n" > runs/.count
status=finished
[ "$code" -eq 0 ] || status=failed
cat > "runs/$n/run.yaml" <<EOF
id: run-$n
number: $n
status: $status
exit_code: $code
started: $started
ended: $ended
command: "$*"
commit: $(git rev-parse HEAD)
user: $(git config user.name)
EOF
git add runs/.count "runs/$n/run.yaml" && git commit -q -m "run-$n $status" || exit 1
exit "$code"
