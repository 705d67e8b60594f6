ATTACH $path AS older (READ_ONLY);
