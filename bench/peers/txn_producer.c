/* Transactional produce for the benchmarks, which rdkafka_performance does not do:
 * `txn_producer <bootstrap> <topic> <count> <size> <per-transaction>` sends <count> records
 * of <size> bytes to partition 0 of <topic> with an idempotent producer, committing a
 * transaction every <per-transaction> records (0: no transactions), and prints
 * "<MB/s> <transactions>" once every record is acknowledged. Exits 1 on any error. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failed = 0;
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk; (void)opaque;
  if (m->err && !failed++) fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void check(rd_kafka_error_t *e, const char *what) {
  if (!e) return;
  fprintf(stderr, "%s: %s\n", what, rd_kafka_error_string(e));
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 6) { fprintf(stderr, "usage: %s bootstrap topic count size per-transaction\n", argv[0]); return 2; }
  const char *topic = argv[2];
  long count = atol(argv[3]), size = atol(argv[4]), per = atol(argv[5]);
  char errstr[512], id[64];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  const char *settings[][2] = {
    {"bootstrap.servers", argv[1]}, {"enable.idempotence", "true"}, {"linger.ms", "5"},
    {"batch.size", "1000000"}, {"queue.buffering.max.kbytes", "1048576"},
  };
  for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
    if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], errstr, sizeof(errstr))) { fprintf(stderr, "%s\n", errstr); return 1; }
  if (per > 0) {
    snprintf(id, sizeof(id), "bench-%d", (int)getpid());
    rd_kafka_conf_set(conf, "transactional.id", id, errstr, sizeof(errstr));
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) { fprintf(stderr, "rd_kafka_new: %s\n", errstr); return 1; }
  if (per > 0) check(rd_kafka_init_transactions(rk, 30000), "init_transactions");
  char *payload = malloc(size);
  memset(payload, 'x', size);
  long transactions = 0;
  double start = now();
  for (long i = 0; i < count; i++) {
    if (per > 0 && i % per == 0) check(rd_kafka_begin_transaction(rk), "begin_transaction");
    for (;;) {
      rd_kafka_resp_err_t err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
        RD_KAFKA_V_VALUE(payload, size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) { fprintf(stderr, "produce: %s\n", rd_kafka_err2str(err)); return 1; }
      rd_kafka_poll(rk, 10);
    }
    rd_kafka_poll(rk, 0);
    if (per > 0 && (i + 1 == count || (i + 1) % per == 0)) {
      check(rd_kafka_commit_transaction(rk, -1), "commit_transaction");
      transactions++;
    }
  }
  if (rd_kafka_flush(rk, 60000)) { fprintf(stderr, "flush timed out\n"); return 1; }
  double secs = now() - start;
  if (failed) return 1;
  printf("%.1f %ld\n", count * size / 1048576.0 / secs, transactions);
  rd_kafka_destroy(rk);
  free(payload);
  return 0;
}
