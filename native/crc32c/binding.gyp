{
  "targets": [
    {
      "target_name": "krill_crc32c",
      "sources": ["crc32c.c"],
      "cflags": ["-O3"]
    }
  ]
}
