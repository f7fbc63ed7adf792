{
  "targets": [
    {
      "target_name": "krill_huge_pages",
      "sources": ["huge-pages.c"],
      "cflags": ["-O2"]
    }
  ]
}
