// RestorationPipeline — see the issue that builds this target.
