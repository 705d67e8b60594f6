ATTACH $path AS store (READ_ONLY);
