/* librdkafka's in-memory mock cluster as a stand-alone peer for the benchmarks:
 * creates N brokers, prints the bootstrap servers on one line, then reads commands on
 * stdin ("create <topic> <partitions> [replication factor]", answered "ok") until SIGTERM or end of input. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop = 0;
static void on_term(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv) {
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  char errstr[512], line[1024], topic[512];
  int partitions, replication;
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) { fprintf(stderr, "rd_kafka_new: %s\n", errstr); return 1; }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) { fprintf(stderr, "mock cluster failed\n"); return 1; }
  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  while (!stop && fgets(line, sizeof(line), stdin)) {
    replication = 1;
    if (sscanf(line, "create %511s %d %d", topic, &partitions, &replication) >= 2) {
      rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, topic, partitions, replication);
      printf("%s\n", err ? rd_kafka_err2str(err) : "ok");
      fflush(stdout);
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
