# Shared by the mail tests: a real SMTP relay (smtp_relay.py, aiosmtpd) and queued messages.
# Source after tests/cli/lib.sh; uses $work.
relay_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
relay_pid=""

# start_relay NAME [OPTIONS...]: starts a relay logging to $work/NAME.log; sets $relay_port and
# TAVOLO_SMTP_URL.
start_relay() {
    local name=$1
    shift
    rm -f "$work/$name.port"
    /usr/bin/python3 "$relay_dir/smtp_relay.py" "$work/$name.port" "$work/$name.log" "$@" \
        2>>"$work/$name.err" &
    relay_pid=$!
    for _ in $(seq 200); do [ -s "$work/$name.port" ] && break; sleep 0.05; done
    relay_port=$(cat "$work/$name.port")
    export TAVOLO_SMTP_URL="smtp://127.0.0.1:$relay_port"
}

stop_relay() {
    [ -n "$relay_pid" ] && kill -TERM "$relay_pid" 2>/dev/null && wait "$relay_pid" 2>/dev/null
    relay_pid=""
}

# queue PREFIX N [RECIPIENT_PREFIX [EVENT]]: N messages with Message-IDs PREFIX-1@tavolo ...
# queued as the digest job would, each to RECIPIENT_PREFIXk@x.example (of EVENT, default ev-1),
# with a line starting with a dot.
queue() {
    local r=${3:-r} ev=${4:-ev-1}
    sql "INSERT INTO mail_messages (message_id, kind, event_id, recipient_email, language, subject, body)
         SELECT '$1-' || g || '@tavolo', 'digest', '$ev', '$r' || g || '@x.example', 'en', 'Test ' || g,
         'From: tavolo <digest@tavolo.invalid>' || E'\n' || 'To: <$r' || g || '@x.example>' || E'\n'
         || 'Subject: Test ' || g || E'\n' || 'Message-ID: <$1-' || g || '@tavolo>' || E'\n'
         || 'MIME-Version: 1.0' || E'\n' || 'Content-Type: text/plain; charset=utf-8' || E'\n\n'
         || 'Line one' || E'\n' || '.dot line' || E'\n' || 'Caffè' || E'\n'
         FROM generate_series(1, $2) g" >/dev/null
}

# received LOG PREFIX: how many messages of PREFIX the relay took, and how many distinct.
received() {
    /usr/bin/python3 - "$work/$1.log" "$2" <<'PY'
import json, sys
ids = [json.loads(l)["message_id"] for l in open(sys.argv[1])] if __import__("os").path.exists(sys.argv[1]) else []
ids = [i for i in ids if i.startswith("<" + sys.argv[2] + "-")]
print(len(ids), len(set(ids)))
PY
}
