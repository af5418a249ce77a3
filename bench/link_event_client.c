// A compiled long-poll client for bench/agent-link-events.sh: the same flips and the same
// measurement as bench/agent-link-events.py, without a Python thread's wake-up in the figure.
//
// Why both: the Python client's recv() returns about 90 us after the agent's writev (a Python
// thread waking, the GIL, the bytes object), which is the client's share, not the agent's. The
// coordinator that holds these events is compiled code (libcurl); this client is what it costs
// there. The bench prints both, measured in the same rounds.
//
// How: one thread. Its TCP socket is opened in the agent's namespace and its netlink socket in the
// far end's (sockets keep their namespace). Per flip: send the next GET /v1/events long-poll,
// give it 20 ms to park (as the Python client), read CLOCK_REALTIME ("it happened"), send the far
// end's RTM_NEWLINK (the kernel makes the change inside send(); its ACK is read after the answer,
// so waiting for it never delays "held"), then recv() until the whole answer is in and read
// CLOCK_REALTIME again ("held"). An answer without the wanted event (another port's, a timeout)
// is followed by the next long-poll until 5 s have passed.
//
// Usage: link_event_client AGENT_NS FAR_NS NEAR_IF FAR_IF PORT TOKEN_FILE FLIPS
// Prints per flip "STAMP_NS HELD_NS" (the agent's time_ns and the held time, minus "it happened"),
// or "missing": bench/agent-link-events.py --report reads these lines. Leaves the far end up.
// Asserts nothing about timing.
#define _GNU_SOURCE
#define BENCH_PROGRAM "link_event_client"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "bench_probe.h"

static void die_msg(const char* what) {
  fprintf(stderr, BENCH_PROGRAM ": %s\n", what);
  exit(1);
}

static void set_timeout(int fd, int seconds) {
  struct timeval tv = {.tv_sec = seconds};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) die("SO_RCVTIMEO");
  if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) die("SO_SNDTIMEO");
}

// ---- HTTP: keep-alive GETs, answers with Content-Length (the agent always sends it) ----------

static int http_fd;
static char token[256];
static char inbuf[1 << 20];
static size_t inlen;

static void http_send_get(const char* target) {
  char req[1024];
  const int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n",
                         target, token);
  if (n <= 0 || (size_t)n >= sizeof req) die_msg("request too long");
  for (int off = 0; off < n;) {
    const ssize_t w = send(http_fd, req + off, (size_t)(n - off), MSG_NOSIGNAL);
    if (w <= 0) die("send to the agent");
    off += (int)w;
  }
}

// Reads one answer; returns its body (NUL-terminated, valid until the next call) and sets *held
// to CLOCK_REALTIME right after the recv() that completed it.
static char* http_read_answer(int64_t* held) {
  for (;;) {
    inbuf[inlen] = '\0';
    char* end = strstr(inbuf, "\r\n\r\n");
    if (end != NULL) {
      const char* cl = strcasestr(inbuf, "\r\ncontent-length:");
      if (cl == NULL || cl > end) die_msg("agent answer without Content-Length");
      const size_t length = strtoul(cl + 17, NULL, 10);
      const size_t head = (size_t)(end + 4 - inbuf);
      if (head + length >= sizeof inbuf) die_msg("agent answer too large");
      if (inlen >= head + length) {
        if (strncmp(inbuf, "HTTP/1.1 200", 12) != 0) die_msg("agent did not answer 200");
        static char body[sizeof inbuf];
        memcpy(body, inbuf + head, length);
        body[length] = '\0';
        memmove(inbuf, inbuf + head + length, inlen - head - length);
        inlen -= head + length;
        return body;
      }
    }
    if (inlen + 1 >= sizeof inbuf) die_msg("agent answer too large");
    const ssize_t r = recv(http_fd, inbuf + inlen, sizeof inbuf - 1 - inlen, 0);
    *held = realtime_ns();
    if (r == 0) die_msg("agent closed the connection");
    if (r < 0) die("recv from the agent");
    inlen += (size_t)r;
  }
}

// ---- the page: just enough JSON to read top-level fields of each event -------------------

// Skips a JSON string starting at p (on its opening quote); returns the position after it.
static const char* skip_string(const char* p) {
  for (++p; *p != '\0' && *p != '"'; ++p)
    if (*p == '\\' && p[1] != '\0') ++p;
  return *p == '"' ? p + 1 : p;
}

// The value text of top-level key `key` in the object [obj, obj_end), or NULL.
static const char* field(const char* obj, const char* obj_end, const char* key) {
  const size_t klen = strlen(key);
  int depth = 0;
  for (const char* p = obj; p < obj_end && *p != '\0';) {
    if (*p == '"') {
      const char* after = skip_string(p);
      if (depth == 1 && *after == ':' && (size_t)(after - p) == klen + 2 && strncmp(p + 1, key, klen) == 0)
        return after + 1;
      p = after;
    } else {
      if (*p == '{' || *p == '[') ++depth;
      if (*p == '}' || *p == ']') --depth;
      ++p;
    }
  }
  return NULL;
}

static int string_is(const char* value, const char* want) {
  const size_t n = strlen(want);
  return value != NULL && value[0] == '"' && strncmp(value + 1, want, n) == 0 && value[n + 1] == '"';
}

// Looks for the wanted event in a page; sets *time_ns when found. Always sets *next_after.
static int find_event(const char* body, const char* kind, const char* port, int64_t* time_ns, uint64_t* next_after) {
  const char* body_end = body + strlen(body);
  const char* na = field(body, body_end, "next_after");
  if (na == NULL) die_msg("page without next_after");
  *next_after = strtoull(na, NULL, 10);
  const char* events = field(body, body_end, "events");
  if (events == NULL || *events != '[') die_msg("page without events");
  int found = 0;
  const char* p = events + 1;
  while (*p == '{') {
    int depth = 0;
    const char* q = p;
    do {  // to the end of this event object
      if (*q == '"') { q = skip_string(q); continue; }
      if (*q == '{') ++depth;
      if (*q == '}') --depth;
      ++q;
    } while (depth > 0 && *q != '\0');
    if (!found && string_is(field(p, q, "kind"), kind) && string_is(field(p, q, "port"), port)) {
      const char* t = field(p, q, "time_ns");
      if (t == NULL) die_msg("event without time_ns");
      *time_ns = strtoll(t, NULL, 10);
      found = 1;
    }
    p = *q == ',' ? q + 1 : q;
  }
  return found;
}

int main(int argc, char** argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: link_event_client AGENT_NS FAR_NS NEAR_IF FAR_IF PORT TOKEN_FILE FLIPS\n");
    return 2;
  }
  const int port = atoi(argv[5]);
  const int flips = atoi(argv[7]);
  if (port <= 0 || port > 65535 || flips <= 0 || flips > 100000) die_msg("PORT must be 1..65535 and FLIPS 1..100000");
  FILE* tf = fopen(argv[6], "r");
  if (tf == NULL) die(argv[6]);
  if (fgets(token, sizeof token, tf) == NULL) die_msg("empty token file");
  fclose(tf);
  token[strcspn(token, "\r\n")] = '\0';

  enter_netns(argv[1]);
  http_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (http_fd < 0) die("socket");
  const int one = 1;
  if (setsockopt(http_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) die("TCP_NODELAY");
  set_timeout(http_fd, 6);  // above the long-poll's 2 s: a lost answer ends the run, never hangs it
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  if (connect(http_fd, (struct sockaddr*)&sa, sizeof sa) != 0) die("connect to the agent");
  enter_netns(argv[2]);
  const int far_index = (int)if_nametoindex(argv[4]);
  if (far_index == 0) die(argv[4]);
  const int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (nl < 0) die("socket(NETLINK_ROUTE)");
  set_timeout(nl, 2);

  int64_t held = 0, stamp = 0;
  uint64_t after = 0;
  http_send_get("/v1/events?after=0");
  find_event(http_read_answer(&held), "", "", &stamp, &after);

  int missing = 0;
  for (int i = 0; i < flips; ++i) {
    const int up = i % 2 == 1;
    const char* want = up ? "link_up" : "link_down";
    char target[128];
    snprintf(target, sizeof target, "/v1/events?after=%llu&wait_ms=2000", (unsigned long long)after);
    http_send_get(target);
    const struct timespec pause = {.tv_nsec = 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    const int64_t t0 = realtime_ns();
    send_flip(nl, far_index, up, (unsigned)i + 1);
    int found = 0;
    for (;;) {
      found = find_event(http_read_answer(&held), want, argv[3], &stamp, &after);
      if (found || realtime_ns() - t0 > 5000000000LL) break;
      snprintf(target, sizeof target, "/v1/events?after=%llu&wait_ms=2000", (unsigned long long)after);
      http_send_get(target);
    }
    read_flip_ack(nl);
    if (found) {
      printf("%lld %lld\n", (long long)(stamp - t0), (long long)(held - t0));
    } else {
      printf("missing\n");
      ++missing;
    }
  }
  if (flips % 2 == 1) {
    send_flip(nl, far_index, 1, (unsigned)flips + 1);
    read_flip_ack(nl);
  }
  if (missing > 0) fprintf(stderr, "link_event_client: %d flip(s) not seen within 5 s\n", missing);
  return 0;
}
