"""The seed streaming applications: their configuration, build and reference pipelines,
and the DMA/interrupt/main-loop harness that streams audio through them."""
