import MaximVideoCLI

MaximVideo.main()
