USE store;
